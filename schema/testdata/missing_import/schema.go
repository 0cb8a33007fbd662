// Package missing_import imports a package that does not exist.
package missing_import

import (
	"github.com/siogen/siogen"
	"github.com/siogen/siogen/schema/testdata/missing_import/nowhere"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Hello func(m nowhere.Message) `sio:"hello"`
	}
}
