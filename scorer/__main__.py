import sys

from scorer.command import main

sys.exit(main())
