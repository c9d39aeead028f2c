extension OrderLineBatch {
    /// Appends `line` under the customer key of the record id in its customer field (trimmed
    /// as `persona identity` trims record ids), with its order id and fingerprint marked by
    /// the source: two sources' order 17 are two orders, and the same text in two sources'
    /// logs is not a duplicate line. A blank id stays blank (a line without a customer).
    /// - Returns: false when the source has no record with this id; with `keep`, the line is
    ///   then appended under `source:id`, otherwise not at all.
    mutating func appendMapped(_ line: OrderLine, keys: CustomerKeyMap, source: Int, keep: Bool, scratch: inout [UInt8]) -> Bool {
        var fingerprint = (line.fingerprint ^ (UInt64(source + 1) &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD
        fingerprint ^= fingerprint >> 32
        return IdentifierText.withTrimmed(line.customer) { id in
            // The scratch holds the marked order id, then a kept record's `source:id`.
            scratch.removeAll(keepingCapacity: true)
            withUnsafeBytes(of: Int32(source).littleEndian) { scratch.append(contentsOf: $0) }
            if let order = line.order { scratch.append(contentsOf: order) }
            let orderEnd = scratch.count
            let key = id.isEmpty ? nil : keys.keyCode(source: source, trimmedID: id)
            let matched = id.isEmpty || key != nil
            if !matched {
                guard keep else { return false }
                scratch.append(contentsOf: keys.sources[source].utf8)
                scratch.append(UInt8(ascii: ":"))
                scratch.append(contentsOf: id)
            }
            scratch.withUnsafeBufferPointer { all in
                let order = line.order.map { _ in UnsafeBufferPointer(rebasing: all[..<orderEnd]) }
                func add(_ customer: UnsafeBufferPointer<UInt8>) {
                    append(time: line.time, amount: line.amount, negativePrice: line.negativePrice, fingerprint: fingerprint,
                           customer: customer, order: order, category: line.category)
                }
                if let key { keys.withKey(key, add) } else { add(UnsafeBufferPointer(rebasing: all[orderEnd...])) }
            }
            return matched
        }
    }

    /// Counts a line whose record id is not in the identities file; `place` is its file, line
    /// and id (needed only for the batch's first). A dropped line still counts as read, and
    /// its date in the logs' span.
    mutating func countUnmatched(time: Int64, place: String, dropped drop: Bool) {
        unmatched += 1
        if firstUnmatched == nil { firstUnmatched = place }
        guard drop else { return }
        dropped += 1
        droppedTimes = min(time, droppedTimes?.lowerBound ?? time)...max(time, droppedTimes?.upperBound ?? time)
    }
}

extension OrderLogReport {
    /// Adds what a batch says of lines whose record id is not in the identities file.
    mutating func countUnmatched(in batch: OrderLineBatch) {
        unmatchedLines += batch.unmatched
        if firstUnmatched == nil { firstUnmatched = batch.firstUnmatched }
        guard let times = batch.droppedTimes else { return }
        lines += batch.dropped
        firstDate = min(times.lowerBound, firstDate ?? times.lowerBound)
        lastDate = max(times.upperBound, lastDate ?? times.upperBound)
    }
}
