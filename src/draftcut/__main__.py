from draftcut.cli import main

raise SystemExit(main())
