package missing_tag

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		ChatMessage func(msg string)
		SetName     func(name string) `json:"set name"`
	}
}
