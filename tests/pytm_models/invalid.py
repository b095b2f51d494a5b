"""Written for threatlib's tests: a value pytm 1.4 rejects (isSQL must be a boolean)."""

from pytm import TM, Datastore

tm = TM("Invalid", description="pytm refuses this model.")
db = Datastore("Orders")
db.isSQL = "sometimes"

if __name__ == "__main__":
    tm.process()
