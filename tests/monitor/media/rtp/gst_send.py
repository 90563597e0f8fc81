"""Runs one GStreamer launch line (argv[1]) to EOS, the tests' real RTP source (no gst-launch-1.0 here).

Prints the caps of the element named "pay" (the payloader) on stdout: they carry what an SDP would,
such as sprop-parameter-sets.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
pipeline = Gst.parse_launch(sys.argv[1])
pipeline.set_state(Gst.State.PLAYING)
bus = pipeline.get_bus()
msg = bus.timed_pop_filtered(30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
pay = pipeline.get_by_name("pay")
if pay is not None:
    caps = pay.get_static_pad("src").get_current_caps()
    print(caps.to_string() if caps else "")
pipeline.set_state(Gst.State.NULL)
if msg is None or msg.type == Gst.MessageType.ERROR:
    sys.stderr.write("pipeline failed: %s\n" % (msg.parse_error()[0].message if msg else "timeout"))
    sys.exit(1)
