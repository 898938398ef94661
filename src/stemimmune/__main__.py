"""Run the command line: ``python -m stemimmune``."""

from stemimmune.cli import main


raise SystemExit(main())
