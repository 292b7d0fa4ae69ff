"""``python -m oncoboard`` runs the command line."""

from oncoboard.cli import main

main()
