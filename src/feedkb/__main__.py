from feedkb.cli import main

main()
