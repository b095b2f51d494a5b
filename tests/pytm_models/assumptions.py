"""Written for threatlib's tests: assumptions that exclude threats, on the TM and on one element."""

from pytm import TM, Actor, Assumption, Dataflow, Server

tm = TM("Intranet wiki")
tm.description = "An internal wiki reached from the office network."
tm.assumptions = [
    Assumption("Only staff reach the office network", exclude=["INP16"],
               description="The wiki is not exposed to the internet."),
    "The wiki holds no customer data",
]
staff = Actor("Staff member")
wiki = Server("Wiki server")
wiki.assumptions = [Assumption("Input is filtered by the web application firewall", exclude=["INP03", "INP02"])]
Dataflow(staff, wiki, "Edit page", protocol="HTTP")

if __name__ == "__main__":
    tm.process()
