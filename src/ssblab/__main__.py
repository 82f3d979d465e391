"""``python -m ssblab`` runs the command line."""

from ssblab.cli import main

if __name__ == "__main__":
    main()
