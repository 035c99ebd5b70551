"""Front-ends: translate platform payloads into invocations and replies into platform calls. No business rules here."""
