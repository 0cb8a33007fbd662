package path_missing

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace
}

type Admin struct {
	siogen.Namespace `json:"admin"`
}

type Empty struct {
	siogen.Namespace `sio:""`
}

type Broken struct {
	siogen.Namespace `sio:/broken`
}
