import json, sys
e = json.load(sys.stdin)["end"]["sum"]
print("%.0fk pps sent, %.1f%% lost" % (e["packets"] / e["seconds"] / 1000, e["lost_percent"]))
