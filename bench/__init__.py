"""Speed benchmarks: `python -m bench` (`make bench`); see README "Speed"."""
