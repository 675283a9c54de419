from berdaya.screening.engine.cli import main

# Guarded: a local cluster's worker processes import the main module again, and must not run the command twice.
if __name__ == "__main__":
    raise SystemExit(main())
