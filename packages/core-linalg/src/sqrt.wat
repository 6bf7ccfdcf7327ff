;; o[i] = sqrt(x[i]) over float32 arrays in the imported memory (byte offsets), four lanes at a time. f32x4.sqrt and
;; f32.sqrt are IEEE square roots, correctly rounded: the bits of the scalar kernel they replace.
;; Assembled with wabt 1.0.39: wat2wasm --enable-simd sqrt.wat
(module
  (import "env" "memory" (memory 1))
  (func (export "sqrt") (param $o i32) (param $x i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $o) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vd (loop $vn
      (br_if $vd (i32.ge_u (local.get $o) (local.get $vend)))
      (v128.store align=4 (local.get $o) (f32x4.sqrt (v128.load align=4 (local.get $x))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $vn)))
    (block $sd (loop $sn
      (br_if $sd (i32.ge_u (local.get $o) (local.get $end)))
      (f32.store (local.get $o) (f32.sqrt (f32.load (local.get $x))))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br $sn)))
  )
)
