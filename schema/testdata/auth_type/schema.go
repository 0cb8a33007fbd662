package auth_type

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	Auth []string

	ClientToServer struct {
		Hello func(msg string) `sio:"hello"`
	}
}

type Admin struct {
	siogen.Namespace `sio:"/admin"`

	Auth map[int]string
}

// Fine: a map with string keys, and a pointer to a struct.
type Ops struct {
	siogen.Namespace `sio:"/ops"`

	Auth map[string]any
}

type Token struct{ Token string }

type Staff struct {
	siogen.Namespace `sio:"/staff"`

	Auth *Token
}
