"""What a phone or board runs: preprocessing, encoder sessions, decoding, orchestration. Never imports torch."""
