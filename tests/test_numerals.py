"""Chinese numerals as laws write them (ingest.numerals), used by quizzes, dates and DOCX."""

from ingest.numerals import cn_to_int, int_to_cn


def test_numerals_round_trip():
    assert cn_to_int("一百零五") == 105 and cn_to_int("十五") == 15 and cn_to_int("两") == 2
    assert [int_to_cn(n) for n in (10, 15, 30, 105, 1000, 2020)] == \
        ["十", "十五", "三十", "一百零五", "一千", "二千零二十"]
    for n in range(1, 10000):
        assert cn_to_int(int_to_cn(n)) == n
    assert cn_to_int("一二") is None and cn_to_int("") is None and cn_to_int("百分") is None
