"""Place names in questions and titles: unknown places, and another jurisdiction's documents."""

from kb.places import other_place, place_names, unknown_places


def test_unknown_places_are_those_the_text_never_mentions():
    known = "北京市海淀区人民政府办公室印发……西城区"
    assert unknown_places("上海市浦东新区的安全生产规划目标是什么?", known) == ["上海市浦东新区"]
    assert unknown_places("深圳市南山区的规划目标是什么?", known) == ["深圳市", "南山区"]
    assert unknown_places("2020年西城区单位GDP事故死亡率降低了多少?", known) == []
    assert unknown_places("海淀区到2035年要达到什么目标?", known) == []
    assert unknown_places("城区铁路平交道口由谁负责?", known) == []
    # A city named without its suffix, as people say it; words jieba merely tags as places
    # (城市, 台风) are not places.
    assert unknown_places("广州家里没装燃气报警器会被罚多少钱?", known) == ["广州"]
    assert unknown_places("在海淀，城市安全风险由谁评估?", known) == []
    assert unknown_places("台风红色预警发布后城市要停工吗?", known) == []


def test_a_title_naming_another_place_of_the_same_level_is_another_jurisdiction():
    plan = "西城区“十四五”时期安全生产规划"
    assert other_place(place_names("朝阳区“十四五”规划的死亡率目标是多少?"), plan) == "西城区"
    assert other_place(place_names("上海市浦东新区的规划目标是什么?"), plan) == "西城区"
    assert other_place(place_names("上海的烟花爆竹零售点怎么设?"), "北京市烟花爆竹安全管理规定") \
        == "北京市"


def test_the_same_place_another_level_or_no_place_is_not_another_jurisdiction():
    assert other_place(place_names("西城区的规划目标是什么?"), "西城区“十四五”时期安全生产规划") is None
    assert other_place(place_names("在海淀，城市安全风险由谁评估?"), "海淀区安全生产规划") is None
    assert other_place(place_names("北京的燃气报警器怎么装?"), "北京市燃气管理条例") is None
    # A city's regulation governs its districts; a national law names no place.
    assert other_place(place_names("朝阳区的消防站由谁建设?"), "北京市消防条例") is None
    assert other_place(place_names("朝阳区的工伤怎么认定?"), "工伤保险条例") is None
    assert other_place([], "西城区“十四五”时期安全生产规划") is None


def test_a_city_inside_one_word_is_found():
    """jieba reads 北京地铁 as one place-like word: the city is still the question's place, so
    Shanghai's rail regulation does not answer for Beijing's metro."""
    question = "北京地铁的安全保护区，隧道外侧多少米以内不能施工？"
    assert place_names(question) == ("北京",)
    assert other_place(place_names(question), "上海市轨道交通管理条例") == "上海市"
    assert place_names("长安街上") == () and place_names("中山装") == ()
