import AdjustService
import Foundation
import Imaging
import Inference
import Testing

/// The image_id cache: re-render without the trunk, LRU by bytes, expiry, and ids.
struct PhotoCacheTests {
    typealias Fixture = AdjustPipelineTests

    static func analysed(width: Int = 96, height: Int = 64) throws -> AnalysedPhoto {
        try Fixture.pipeline().adjust(imageBytes: Fixture.photo(width: width, height: height)).analysis
    }

    @Test func reRenderSkipsDecodeAndContextAndMatchesAFreshRequest() throws {
        let pipeline = try Fixture.pipeline()
        let photo = try Fixture.photo()
        let map = try Fixture.labelPNG(1)
        let first = try pipeline.adjust(imageBytes: photo)
        let again = try pipeline.render(first.analysis, options: AdjustOptions(mapPNG: map))
        #expect(again.stages.map(\.name) == ["map", "render", "encode"])
        let fresh = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: map))
        #expect(again.image == fresh.image, "re-rendering a cached analysis gives the same bytes as a new request")
        #expect(again.usedUserMap && again.coverage == [0, 1])
        // A 10×10 map is resized to the photo, so it is encoded afresh at the photo's size.
        let returnedPNG = try #require(again.mapPNG)
        let returned = try #require(try PNGDecoder().decodeGrayscale(returnedPNG))
        #expect(again.mapPNG != map && returned.width == 96 && returned.height == 64 && returned.pixels.allSatisfy { $0 == 1 })
        #expect(throws: AdjustError.self) { try pipeline.render(first.analysis, options: AdjustOptions(maxSide: 64)) }
    }

    /// The web page's loop: the discovered map with a patch repainted. Only the rows whose labels
    /// changed are rendered, and the bytes are still those of a new request with that map.
    @Test func repaintedPatchRendersOnlyItsRowsWithTheSameBytes() throws {
        let pipeline = try Fixture.pipeline()
        let (width, height) = (96, 64)
        let photo = try Fixture.photo(width: width, height: height)
        let first = try pipeline.adjust(imageBytes: photo)
        #expect(first.renderedRows == height)
        let discovered = try PNGDecoder().decode(try #require(first.mapPNG)).image
        var labels = (0..<(width * height)).map { discovered.pixels[3 * $0] }
        for y in 10..<25 { for x in 5..<40 { labels[y * width + x] = 1 - labels[y * width + x] } }
        let map = try PNGEncoder().encode(pixels: labels, width: width, height: height, channels: 1)

        let again = try pipeline.render(first.analysis, options: AdjustOptions(mapPNG: map))
        #expect(again.renderedRows == 15, "rows 10..<25 changed, nothing else")
        #expect(again.mapPNG == map, "an 8-bit gray map at the photo's size comes back as it was sent")
        let fresh = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: map))
        #expect(fresh.renderedRows == height)
        #expect(again.image == fresh.image, "a partial re-render gives the bytes of a full render")
        let same = try pipeline.render(first.analysis, options: AdjustOptions(mapPNG: try #require(first.mapPNG)))
        #expect(same.renderedRows == 0 && same.image == first.image)
    }

    /// The same with the guided render (what photos above ~1 MP get), where a re-render renders only
    /// the repainted columns of its rows and re-encodes only the JPEG segments they touch: still a
    /// full render's bytes, for patches inside the photo, at its right edge and over every row.
    /// (A small photo with a small guide, so the test stays fast: a seconds-long synchronous test
    /// starves the socket tests of other suites.)
    @Test func repaintedPatchesOfAGuidedPhotoGiveAFullRendersBytes() throws {
        let model = try Fixture.pipeline().model
        let pipeline = AdjustPipeline(
            model: model, threadsPerJob: 2, renderMethod: .guided(GuidedRenderSettings(guideLongSide: 80, cellSize: 4, luminanceBins: 8)))
        let (width, height) = (330, 250)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inside = (100..<220).contains(x) && (80..<170).contains(y)
                let i = 3 * (y * width + x)
                pixels[i] = inside ? 240 : UInt8(truncatingIfNeeded: 40 + x / 2)
                pixels[i + 1] = inside ? 200 : UInt8(truncatingIfNeeded: 60 + y / 2 + (x * 7 + y * 3) % 11)
                pixels[i + 2] = inside ? 40 : 120
            }
        }
        let photo = try JPEGEncoder().encode(RGBImage(width: width, height: height, pixels: pixels))
        let first = try pipeline.adjust(imageBytes: photo)
        let firstMap = try #require(first.mapPNG)
        let discovered = try #require(try PNGDecoder().decodeGrayscale(firstMap))
        for (xs, ys) in [(93..<171, 31..<100), (310..<330, 0..<250), (0..<165, 0..<250)] {
            var labels = discovered.pixels
            for y in ys { for x in xs { labels[y * width + x] = 1 - labels[y * width + x] } }
            let map = try PNGEncoder().encode(pixels: labels, width: width, height: height, channels: 1)
            let again = try pipeline.render(first.analysis, options: AdjustOptions(mapPNG: map))
            #expect(again.renderedRows == ys.count)
            let fresh = try pipeline.adjust(imageBytes: photo, options: AdjustOptions(mapPNG: map))
            #expect(again.image == fresh.image, "patch \(xs) × \(ys)")
            #expect(again.image != first.image)
        }
        // At another quality than the first render's, the whole photo is encoded again.
        var labels = discovered.pixels
        for i in 0..<(width * 20) { labels[i] = 1 - labels[i] }
        let map = try PNGEncoder().encode(pixels: labels, width: width, height: height, channels: 1)
        let lower = try pipeline.render(first.analysis, options: AdjustOptions(quality: 70, mapPNG: map))
        #expect(lower.image == (try pipeline.adjust(imageBytes: photo, options: AdjustOptions(quality: 70, mapPNG: map))).image)
    }

    @Test func leastRecentlyUsedPhotoIsEvictedFirst() throws {
        let photo = try Self.analysed()
        let cache = PhotoCache(byteBudget: photo.byteCount * 2 + photo.byteCount / 2)
        let a = try #require(cache.insert(photo))
        let b = try #require(cache.insert(photo))
        #expect(cache.lookup(a) != nil)  // a is now more recent than b
        let c = try #require(cache.insert(photo))
        #expect(cache.lookup(b) == nil, "b was the least recently used")
        #expect(cache.lookup(a) != nil && cache.lookup(c) != nil)
        let stats = cache.statistics
        #expect(stats.entries == 2 && stats.evictions == 1 && stats.bytes == 2 * photo.byteCount)
        #expect(stats.hits == 3 && stats.misses == 1)
    }

    @Test func photosLargerThanTheBudgetAreNotCachedAndOldOnesExpire() async throws {
        let photo = try Self.analysed()
        #expect(PhotoCache(byteBudget: photo.byteCount - 1).insert(photo) == nil)
        let cache = PhotoCache(byteBudget: 1 << 30, maxAge: .milliseconds(50))
        let id = try #require(cache.insert(photo))
        #expect(cache.lookup(id) != nil)
        try await Task.sleep(for: .milliseconds(120))
        #expect(cache.lookup(id) == nil)
        #expect(cache.statistics.entries == 0 && cache.statistics.bytes == 0)
    }

    @Test func idsAreRandomHexAndParsedStrictly() {
        let ids = (0..<1000).map { _ in ImageID.random().description }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
        #expect(ImageID(ids[0].uppercased())?.description == ids[0])
        for bad in ["", "abc", String(repeating: "g", count: 32), String(repeating: "a", count: 33), "../" + String(repeating: "a", count: 29)] {
            #expect(ImageID(bad) == nil, "\(bad)")
        }
    }

    @Test func maxSideDownscalesTheLongSide() throws {
        let result = try Fixture.pipeline().adjust(imageBytes: Fixture.photo(width: 96, height: 64), options: AdjustOptions(maxSide: 64))
        #expect(result.width == 64 && result.height == 43)
        let output = try ImageDecoder().decode(result.image).image
        #expect(output.width == 64 && output.height == 43)
        #expect(throws: AdjustError.self) { try Fixture.pipeline().adjust(imageBytes: Fixture.photo(), options: AdjustOptions(maxSide: 10)) }
    }
}


/// Idle-time work reads the cache without touching recency, and stores its bigger photo in place.
struct PhotoCacheReplaceTests {
    @Test func peekNeitherCountsNorRefreshes() throws {
        let photo = try PhotoCacheTests.analysed()
        let cache = PhotoCache(byteBudget: 2 * photo.byteCount + 1)
        let a = try #require(cache.insert(photo)), b = try #require(cache.insert(photo))
        #expect(cache.peek(a) != nil && cache.peek(ImageID.random()) == nil)
        #expect(cache.statistics.hits == 0 && cache.statistics.misses == 0)
        // a is still the least recently used: a third photo evicts it, not b.
        _ = try #require(cache.insert(photo))
        #expect(cache.peek(a) == nil && cache.peek(b) != nil)
    }

    @Test func replaceReaccountsBytesAndEvictsOthersOnly() throws {
        let pipeline = try AdjustPipelineTests.pipeline()
        let first = try pipeline.adjust(imageBytes: try AdjustPipelineTests.photo())
        let bigger = try #require(try pipeline.withAlternatives(first.analysis, isCancelled: { false }))
        let small = first.analysis.byteCount, large = bigger.byteCount
        #expect(large > small)
        // Room for two small photos, not for a large and a small one.
        let cache = PhotoCache(byteBudget: small + large - 1)
        let a = try #require(cache.insert(first.analysis)), b = try #require(cache.insert(first.analysis))
        #expect(cache.replace(b, with: bigger))
        #expect(cache.peek(a) == nil, "the other photo made room")
        #expect(cache.peek(b)?.byteCount == large && cache.statistics.bytes == large && cache.statistics.entries == 1)
        #expect(!cache.replace(a, with: bigger), "gone: nothing to replace")
        let tiny = PhotoCache(byteBudget: small)
        let c = try #require(tiny.insert(first.analysis))
        #expect(!tiny.replace(c, with: bigger), "larger than the whole budget")
        #expect(tiny.peek(c)?.byteCount == small)
    }
}
