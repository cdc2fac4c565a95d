use super::duration;

#[test]
fn durations_match_the_crd_pattern() {
    assert_eq!(duration(10_000), "10s");
    assert_eq!(duration(1_500), "1s500ms");
    assert_eq!(duration(250), "250ms");
    assert_eq!(duration(0), "0s");
    assert_eq!(duration(3_723_004), "1h2m3s4ms");
}
