"""python -m testbed.node --kubeconfig PATH: run the test bed's three nodes until SIGTERM."""

import argparse
import logging
import signal
import sys

from testbed.node.agent import Agent


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m testbed.node", description=__doc__)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s.%(msecs)03d %(levelname)s %(threadName)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    agent = Agent(args.kubeconfig)
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    signal.signal(signal.SIGINT, lambda *_: agent.stop())
    agent.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
