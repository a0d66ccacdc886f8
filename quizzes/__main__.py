"""Entry point for ``python -m quizzes``."""

import sys

from .cli import main

sys.exit(main())
