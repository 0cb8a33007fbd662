package codec

// EventName returns the event name of an EVENT or BINARY_EVENT payload and the
// raw JSON of each argument after it (slices of data, not copies, without
// surrounding whitespace). ok is false when the first element is a number:
// valid on the wire, but it names no handler. err is a *ProtocolError when
// data is not a JSON array (nil, the Data of an EVENT without payload,
// included), is empty, or starts with anything but a string or a number.
func EventName(data []byte) (name string, args [][]byte, ok bool, err error) {
	elems, err := SplitArray(data)
	if err != nil {
		return "", nil, false, err
	}
	if len(elems) == 0 {
		return "", nil, false, protocolErrorf("event payload is an empty array")
	}
	switch first := elems[0]; first[0] {
	case '"':
		name, err = unquote(first)
		if err != nil {
			return "", nil, false, protocolErrorf("event name: %v", err)
		}
		return name, elems[1:], true, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "", elems[1:], false, nil
	default:
		return "", nil, false, protocolErrorf("event name is %s, want a string", kindName(first[0]))
	}
}

// SplitArray returns the raw JSON of each element of a JSON array (slices of
// data, not copies, without surrounding whitespace); an empty array gives an
// empty result. It validates data as it goes: anything but one JSON array is
// a *ProtocolError.
func SplitArray(data []byte) ([][]byte, error) {
	s := scanner{data: data, maxDepth: maxNesting}
	s.skipSpace()
	if s.pos >= len(data) || data[s.pos] != '[' {
		if s.pos >= len(data) {
			return nil, protocolErrorf("want a JSON array, got nothing")
		}
		return nil, protocolErrorf("want a JSON array: %v", s.unexpected("at the start"))
	}
	s.pos++
	// Most packets carry a handful of arguments: one allocation covers them.
	elems := make([][]byte, 0, 4)
	s.skipSpace()
	if s.pos < len(data) && data[s.pos] == ']' {
		s.pos++
	} else {
		for {
			s.skipSpace()
			start := s.pos
			if _, err := s.value(1); err != nil {
				return nil, protocolErrorf("%v", err)
			}
			elems = append(elems, data[start:s.pos])
			s.skipSpace()
			if s.pos < len(data) && data[s.pos] == ']' {
				s.pos++
				break
			}
			if s.pos >= len(data) || data[s.pos] != ',' {
				return nil, protocolErrorf("%v", s.unexpected("after array element"))
			}
			s.pos++
		}
	}
	s.skipSpace()
	if s.pos != len(data) {
		return nil, protocolErrorf("%v", s.unexpected("after array"))
	}
	return elems, nil
}
