"""Facts from the real world: this machine (psutil), a live server, measured throughput."""
