package duplicate_path

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`
}

type Admin struct {
	siogen.Namespace `sio:"/admin"`
}

type Lobby struct {
	siogen.Namespace `sio:"/"`
}
