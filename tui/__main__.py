from docbao.tui.cli import main

raise SystemExit(main())
