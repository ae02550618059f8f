import sys

from minicpmv_edge.cli import main

sys.exit(main())
