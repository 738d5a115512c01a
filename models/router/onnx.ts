import protobuf from "protobufjs";
import type { Classifier } from "./model.ts";

/**
 * The subset of onnx.proto (github.com/onnx/onnx, field numbers unchanged) needed to describe a
 * linear classifier: MatMul → Add → Div(temperature) → Softmax. Written by hand so export needs no
 * Python and no downloaded schema.
 */
const ONNX_SUBSET = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: { name: { type: "string", id: 1 }, i: { type: "int64", id: 3 }, type: { type: "int32", id: 20 } },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            op_type: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            data_type: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            raw_data: { type: "bytes", id: 9 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
          nested: { Dimension: { fields: { dim_value: { type: "int64", id: 1 }, dim_param: { type: "string", id: 2 } } } },
        },
        TypeProto: {
          fields: { tensor_type: { type: "Tensor", id: 1 } },
          nested: { Tensor: { fields: { elem_type: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } } } },
        },
        ValueInfoProto: { fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            doc_string: { type: "string", id: 10 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
        ModelProto: {
          fields: {
            ir_version: { type: "int64", id: 1 },
            producer_name: { type: "string", id: 2 },
            producer_version: { type: "string", id: 3 },
            model_version: { type: "int64", id: 5 },
            doc_string: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
            opset_import: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
            metadata_props: { rule: "repeated", type: "StringStringEntryProto", id: 14 },
          },
        },
      },
    },
  },
};

const FLOAT = 1;
const ATTR_INT = 2;
const ModelProto = protobuf.Root.fromJSON(ONNX_SUBSET).lookupType("onnx.ModelProto");

const floatTensor = (name: string, dims: number[], data: Float32Array) => ({
  name,
  dims,
  data_type: FLOAT,
  raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

const tensorValue = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) } } },
});

/**
 * ONNX graph of the classifier: input `features` [batch, featureDim] (the featuriser's vector,
 * dense), output `probabilities` [batch, labels] = softmax((features·W + b) / T).
 */
export function classifierToOnnx(c: Classifier): Uint8Array {
  const K = c.labels.length;
  const message = ModelProto.fromObject({
    ir_version: 8,
    producer_name: "aisle",
    producer_version: c.version,
    doc_string: "Aisle router: hashed n-gram features in, calibrated intent probabilities out",
    opset_import: [{ domain: "", version: 13 }],
    metadata_props: [
      { key: "labels", value: JSON.stringify(c.labels) },
      { key: "version", value: c.version },
      { key: "featuriser", value: JSON.stringify(c.file.featuriser) },
    ],
    graph: {
      name: "aisle_router",
      node: [
        { op_type: "MatMul", name: "linear", input: ["features", "W"], output: ["xw"] },
        { op_type: "Add", name: "bias", input: ["xw", "b"], output: ["logits"] },
        { op_type: "Div", name: "temperature", input: ["logits", "T"], output: ["scaled"] },
        { op_type: "Softmax", name: "softmax", input: ["scaled"], output: ["probabilities"], attribute: [{ name: "axis", i: 1, type: ATTR_INT }] },
      ],
      initializer: [
        floatTensor("W", [c.dim, K], c.weights),
        floatTensor("b", [K], Float32Array.from(c.bias)),
        floatTensor("T", [1], Float32Array.of(c.file.temperature)),
      ],
      input: [tensorValue("features", ["batch", c.dim])],
      output: [tensorValue("probabilities", ["batch", K])],
    },
  });
  return ModelProto.encode(message).finish();
}
