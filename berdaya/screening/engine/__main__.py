from berdaya.screening.engine.cli import main

raise SystemExit(main())
