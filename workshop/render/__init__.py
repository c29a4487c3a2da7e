"""Drawing what it is given: the template, figures and charts, QR codes, posters and the record's
files (PDF, PNG, XLSX, CSV, Markdown). It opens no session and changes nothing."""
