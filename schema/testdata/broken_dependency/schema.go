// Package broken_dependency uses a payload type from a package that does not
// compile; that package's errors are reported.
package broken_dependency

import (
	"github.com/siogen/siogen"
	"github.com/siogen/siogen/schema/testdata/broken_dependency/models"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Hello func(m models.Message) `sio:"hello"`
	}
}
