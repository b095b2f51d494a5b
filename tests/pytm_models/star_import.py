"""Written for threatlib's tests: `from pytm import *`, an LLM, an agent and a set of processes."""

from pytm import *  # noqa: F403 - the style many pytm scripts use

tm = TM("Assistant")  # noqa: F405
tm.description = "A chat assistant: a user, an orchestrating agent, a language model and workers."
user = Actor("User")  # noqa: F405
agent = Agent("Planner agent")  # noqa: F405
model = LLM("Language model")  # noqa: F405
workers = SetOfProcesses("Tool workers")  # noqa: F405
prompt = Data("Prompt", classification=Classification.RESTRICTED)  # noqa: F405
Dataflow(user, agent, "Ask", data=prompt)  # noqa: F405
Dataflow(agent, model, "Complete", data=prompt)  # noqa: F405
Dataflow(agent, workers, "Call tool")  # noqa: F405

if __name__ == "__main__":
    tm.process()
