// Values of the generated payload types, type-checked by TestTypeScript
// with tsc --strict: what encoding/json writes must be accepted, and the
// lines marked @ts-expect-error (what it never writes) must not compile.
import { Conflicts, Embedder, File, KindsClientToServerEvents, Tagged, Tree } from "./jsontypes";

export const tagged: Tagged = {
  renamed: "r",
  Plain: 1,
  "-": "dash",
  Bad: "b",
  quoted: "12", // ",string": a number inside a string
  quotedP: null,
  "content-type": "text/plain",
  optStruct: { name: "f" }, // File.data is omitempty
  nullable: null,
};

// omitempty and omitzero fields may be absent, but are never null.
// @ts-expect-error: an omitempty pointer is left out, never null
export const nullOpt: Tagged = { ...tagged, optPtr: null };

export const embedder: Embedder = { id: 7, inner: 1, named: { id: 1, Shadow: "s" }, Own: "o", Shadow: true };
// @ts-expect-error: Base.Shadow (a string) is hidden by Embedder.Shadow (a bool)
export const shadowed: Embedder = { ...embedder, Shadow: "s" };

// Same is in both embedded structs at one depth: encoding/json writes neither.
// @ts-expect-error: no property Same
export const conflict: Conflicts = { label: "l", Label: 1, Same: "x" };

export const tree: Tree = { value: 1, children: [{ value: 2 }, null] };
export const file: File = { name: "n", data: new Uint8Array(2) };
// @ts-expect-error: binary data is not a string
export const badFile: File = { name: "n", data: "AAEC" };

type Containers = Parameters<KindsClientToServerEvents["containers"]>;
export const containers: Containers = [null, "s", null, [1, 2, 3], [0, 1, 2, 3], [[1, null], null], { a: 1 }, { "1": true }, { "1,2": "x" }, { a: { "8": [1.5] } }];
