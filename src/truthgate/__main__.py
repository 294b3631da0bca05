from truthgate.cli.main import run

run()
