package path_no_slash

import "github.com/siogen/siogen"

type Admin struct {
	siogen.Namespace `sio:"admin"`
}
