import CustomerData

/// Hands stored lines to an `OrderReplay` in batches of 64k lines.
struct ReplayFeed {
    var replay: OrderReplay
    private var chunk = OrderLineBatch()

    init(options: OrderLogOptions) { replay = OrderReplay(options: options) }

    mutating func add(time: Int64, amount: Double, negativePrice: Bool, fingerprint: UInt64,
                      customer: UnsafeBufferPointer<UInt8>, order: UnsafeBufferPointer<UInt8>?, category: UnsafeBufferPointer<UInt8>?) {
        chunk.append(time: time, amount: amount, negativePrice: negativePrice, fingerprint: fingerprint,
                     customer: customer, order: order, category: category)
        if chunk.count >= 1 << 16 { flush() }
    }

    /// Adds the lines still waiting.
    mutating func flush() {
        replay.add(chunk)
        chunk = OrderLineBatch()
    }
}
