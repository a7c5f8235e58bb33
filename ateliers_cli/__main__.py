from ateliers_cli.launch import main

main()
