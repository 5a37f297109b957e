// How the convolution seams (Winograd, direct, oneDNN) split a batch: chunks of samples, one kernel
// call each on one of the engine's threads, the chunks' ∂w summed in chunk order. The chunks are a
// function of the batch size only, so results are the same on any number of threads.

extension Conv2DGeometry {
    /// Samples per kernel call: an eighth of the batch, so that the calls spread over the cores.
    var kernelChunk: Int { Swift.max(1, (batch + 7) / 8) }
    var kernelChunkCount: Int { (batch + kernelChunk - 1) / kernelChunk }

    /// `body(index, n0, nb)` for every chunk (samples n0 ..< n0 + nb), spread over the engine's threads.
    func forEachKernelChunk(_ body: (_ index: Int, _ n0: Int, _ nb: Int) -> Void) {
        let chunk = kernelChunk
        Parallel.forEach(kernelChunkCount) { ci in body(ci, ci * chunk, Swift.min(chunk, batch - ci * chunk)) }
    }

    /// Runs `body` with a slot for each chunk's ∂w (nil when `dw` is nil), then, when it returns
    /// true, writes their sum, in chunk order, into `dw`. Returns what `body` returned.
    func summingChunkWeights(into dw: UnsafeMutablePointer<Float>?,
                             _ body: (_ slot: (Int) -> UnsafeMutablePointer<Float>?) -> Bool) -> Bool {
        let wCount = outChannels * patch, chunks = kernelChunkCount
        guard let dw else { return body { _ in nil } }
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * wCount)
        defer { partials.deallocate() }
        guard body({ partials + $0 * wCount }) else { return false }
        dw.update(from: partials, count: wCount)
        for ci in 1..<chunks { mapElements(wCount, into: dw, dw, partials + ci * wCount) { $0 + $1 } }
        return true
    }
}
