package doc_example

// File is an uploaded file; Data travels as a binary attachment.
type File struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	Data []byte `json:"data"`
}
