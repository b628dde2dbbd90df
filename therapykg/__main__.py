from therapykg.cli import main

main()
