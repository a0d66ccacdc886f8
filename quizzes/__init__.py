"""Question bank, quizzes, attempts, live sessions and item analysis for safety training.

Open a connection per thread or process with :func:`connect`; every function takes it as
its first argument. Records are small frozen dataclasses; errors are :class:`QuizError`
subclasses with Chinese messages meant for trainers and trainees.
"""

from .attempts import (
    Answer,
    Attempt,
    AttemptResult,
    Feedback,
    Response,
    ReviewItem,
    Trainee,
    TraineeQuestion,
    answer_question,
    attempt_questions,
    attempt_responses,
    attempt_result,
    attempt_review,
    close_expired_attempts,
    get_attempt,
    identify_trainee,
    start_attempt,
    submit_attempt,
    trainee_history,
)
from .auth import (
    AuthResult,
    Trainer,
    add_trainer,
    list_trainers,
    set_trainer_password,
    verify_trainer,
)
from .bank import (
    add_question,
    add_questions,
    all_tags,
    categories,
    delete_question,
    export_questions,
    get_question,
    import_file,
    list_questions,
    set_question_status,
    update_question,
)
from .db import connect, default_db_path, write_transaction
from .errors import (
    AnswerError,
    AttemptError,
    AuthError,
    InvalidQuestion,
    LiveSessionError,
    NotFound,
    QuizError,
)
from .formats import parse_aiken, parse_csv_text, parse_gift, parse_rows, read_questions
from .live import (
    LeaderboardRow,
    LiveParticipant,
    LivePhase,
    LiveReveal,
    LiveSession,
    answer_live_question,
    current_live_question,
    find_live_session,
    finish_live_session,
    get_live_session,
    join_live_session,
    list_live_sessions,
    live_feedback,
    live_leaderboard,
    live_reveal,
    next_live_question,
    open_live_session,
    reveal_live_question,
)
from .quiz import (
    DrawRule,
    FeedbackMode,
    Grading,
    Quiz,
    QuizSettings,
    create_quiz,
    get_quiz,
    list_quizzes,
)
from .records import (
    DIFFICULTY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    ImportProblem,
    ImportResult,
    ParseResult,
    Question,
    QuestionType,
    Status,
)
from .results import (
    QuizResultRow,
    export_results,
    list_trainees,
    live_session_results,
    quiz_attempts,
    quiz_results,
)
from .scoring import is_correct, normalize_fill, score_answer
from .stats import FLAG_LABELS, ItemStats, item_analysis, quiz_item_analysis

__all__ = [
    # records
    "Answer", "Attempt", "AttemptResult", "AuthResult", "DrawRule", "Feedback", "FeedbackMode",
    "Grading", "ImportProblem", "ImportResult", "ItemStats", "LeaderboardRow",
    "LiveParticipant", "LivePhase", "LiveReveal", "LiveSession", "ParseResult", "Question",
    "QuestionType", "Quiz", "QuizResultRow", "QuizSettings", "Response", "ReviewItem",
    "Status", "Trainee", "TraineeQuestion", "Trainer",
    # labels for the UI
    "DIFFICULTY_LABELS", "FLAG_LABELS", "STATUS_LABELS", "TYPE_LABELS",
    # errors
    "AnswerError", "AttemptError", "AuthError", "InvalidQuestion", "LiveSessionError",
    "NotFound", "QuizError",
    # database
    "connect", "default_db_path", "write_transaction",
    # bank and files
    "add_question", "add_questions", "all_tags", "categories", "delete_question",
    "export_questions", "get_question", "import_file", "list_questions", "parse_aiken",
    "parse_csv_text", "parse_gift", "parse_rows", "read_questions", "set_question_status",
    "update_question",
    # quizzes and attempts
    "answer_question", "attempt_questions", "attempt_responses", "attempt_result",
    "attempt_review", "close_expired_attempts", "create_quiz", "get_attempt", "get_quiz",
    "identify_trainee", "list_quizzes", "start_attempt", "submit_attempt", "trainee_history",
    # scoring
    "is_correct", "normalize_fill", "score_answer",
    # live sessions
    "answer_live_question", "current_live_question", "find_live_session",
    "finish_live_session", "get_live_session", "join_live_session", "list_live_sessions",
    "live_feedback",
    "live_leaderboard", "live_reveal", "next_live_question", "open_live_session",
    "reveal_live_question",
    # trainers
    "add_trainer", "list_trainers", "set_trainer_password", "verify_trainer",
    # results and statistics
    "export_results", "item_analysis", "list_trainees", "live_session_results",
    "quiz_attempts", "quiz_item_analysis", "quiz_results",
]  # fmt: skip
