/// Two-stage ReNet on layer3 (paper Network.2, training/model.py ReNet): bidirectional GRU along rows,
/// BN, bidirectional GRU along the columns of that output, BN, 1x1 convolution (with bias).
/// The BNs stay explicit (their cost is nil at 32x32) so each stage can be checked against the reference.
struct ReNet: Sendable {
    struct Stages: Sendable {
        let rows: Tensor
        let rowsNormalised: Tensor
        let columns: Tensor
        let columnsNormalised: Tensor
        let output: Tensor
    }

    let gruRows: BidirectionalGRU
    let bnRows: BatchNorm
    let gruColumns: BidirectionalGRU
    let bnColumns: BatchNorm
    let projection: Conv2D

    init(file: SafetensorsFile, inChannels: Int, hidden: Int, eps: Float) throws(SafetensorsError) {
        gruRows = try BidirectionalGRU(file: file, prefix: "renet.gru_h", hidden: hidden, inputSize: inChannels)
        bnRows = try BatchNorm(file: file, prefix: "renet.bn_h", channels: 2 * hidden, eps: eps)
        gruColumns = try BidirectionalGRU(file: file, prefix: "renet.gru_v", hidden: hidden, inputSize: 2 * hidden)
        bnColumns = try BatchNorm(file: file, prefix: "renet.bn_v", channels: 2 * hidden, eps: eps)
        let outChannels = try file.info("renet.proj.weight").shape.first ?? 0
        projection = Conv2D(
            weight: try file.matrix("renet.proj.weight", rows: outChannels, cols: 2 * hidden),
            bias: try file.floats("renet.proj.bias", shape: [outChannels]),
            inChannels: 2 * hidden, kernel: 1, stride: 1, padding: 0)
    }

    func stages(_ layer3: Tensor, scratch: inout WorkerScratch) -> Stages {
        let rows = gruRows.forward(layer3, along: .rows, scratch: &scratch)
        var rowsN = rows
        bnRows.apply(to: &rowsN)
        let cols = gruColumns.forward(rowsN, along: .columns, scratch: &scratch)
        var colsN = cols
        bnColumns.apply(to: &colsN)
        let out = projection.forward(colsN, relu: false, scratch: &scratch)
        return Stages(rows: rows, rowsNormalised: rowsN, columns: cols, columnsNormalised: colsN, output: out)
    }

    func forward(_ layer3: Tensor, scratch: inout WorkerScratch) -> Tensor {
        stages(layer3, scratch: &scratch).output
    }
}
