"""Pure logic of Pulse: engagement maths, benchmarks, history, coaching. Nothing here imports discord."""
