"""The command line's command groups beside the pipeline's own commands in threatlib/cli.py, which adds them."""
