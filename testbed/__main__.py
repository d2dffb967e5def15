"""python -m testbed up|down|status"""

import argparse
import sys

from testbed import cluster


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m testbed", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    if args.command == "up":
        cluster.up()
        return 0
    if args.command == "down":
        cluster.down()
        return 0
    return cluster.status()


if __name__ == "__main__":
    sys.exit(main())
