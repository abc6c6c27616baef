"""Data exchange with spreadsheets for every list of a concept: which kinds there are
(`kinds`), files out (`export`), files in (`importing`: a dry run first, then the real import
in one transaction, all or nothing), the upload waiting between preview and confirmation
(`pending`), and the screens (`views`, `urls`). The toolkit below is concept.exchange; each
app keeps its resources."""
