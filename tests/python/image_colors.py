"""How many distinct colours an image has, and its size: a blank screenshot has one.

Usage: image_colors.py PNG   →   {"colors": n, "width": w, "height": h}
"""
import json
import sys

from PIL import Image

image = Image.open(sys.argv[1]).convert("RGB")
colors = image.getcolors(maxcolors=1 << 24)
print(json.dumps({"colors": len(colors), "width": image.width, "height": image.height}))
