"""Where bytes come from: sources, compression and TFRecord framing."""
