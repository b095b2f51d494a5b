"""Written for threatlib's tests: the script's own threats file, set inside the __main__ block."""

import os

from pytm import TM, Actor, Dataflow, Server

tm = TM("Kiosk")
tm.description = "A kiosk talking to one server."
kiosk = Actor("Kiosk")
server = Server("Kiosk server")
Dataflow(kiosk, server, "Report status", protocol="HTTP")

if __name__ == "__main__":
    tm.threatsFile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kiosk_threats.json")
    tm.process()
