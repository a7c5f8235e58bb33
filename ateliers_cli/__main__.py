from ateliers_cli.cli import main

main()
