;; The gradient of 2 x 2, stride-2 max pooling over complete windows (NHWC float32, byte offsets into the imported
;; memory): dy of each window goes to its first maximum in scan order (top-left, top-right, bottom-left,
;; bottom-right) and +0 to the other three pixels, four channels at a time. A group of four channels where some
;; window holds a NaN, or only -Infinity, takes the scalar scan (NaNs never win; a window without a maximum passes
;; +0 everywhere), the cpu backend's rule, as the JavaScript kernel in wasm-kernels.ts.
;; Assembled with wabt 1.0.39: wat2wasm --enable-simd max-pool-grad.wat
(module
  (import "env" "memory" (memory 1))
  ;; Channels [c0, c1) of one window, scalar: k = byte offset of the window's top-left pixel (channel 0) in x and dx
  ;; (the same layout), gp = of its dy row, cs = channel stride (4·C), rs = row stride (4·C·W).
  (func $scan (param $x i32) (param $dx i32) (param $gp i32) (param $k i32) (param $c0 i32) (param $c1 i32) (param $cs i32) (param $rs i32)
    (local $c i32) (local $o i32) (local $best f32) (local $at i32) (local $v f32) (local $p i32) (local $q i32)
    (local.set $c (local.get $c0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $c) (local.get $c1)))
      (local.set $o (i32.add (local.get $k) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $best (f32.const -inf))
      (local.set $at (i32.const -1))
      (local.set $q (i32.const 0))
      (block $wdone (loop $wnext
        (br_if $wdone (i32.ge_u (local.get $q) (i32.const 4)))
        ;; pixel q: column q & 1, row q >> 1
        (local.set $p (i32.add (local.get $o)
          (i32.add (i32.mul (i32.and (local.get $q) (i32.const 1)) (local.get $cs))
                   (i32.mul (i32.shr_u (local.get $q) (i32.const 1)) (local.get $rs)))))
        (local.set $v (f32.load (i32.add (local.get $x) (local.get $p))))
        (if (f32.gt (local.get $v) (local.get $best))
          (then (local.set $best (local.get $v)) (local.set $at (local.get $p))))
        (f32.store (i32.add (local.get $dx) (local.get $p)) (f32.const 0))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $wnext)))
      (if (i32.ge_s (local.get $at) (i32.const 0))
        (then (f32.store (i32.add (local.get $dx) (local.get $at))
          (f32.add (f32.const 0) (f32.load (i32.add (local.get $gp) (i32.shl (local.get $c) (i32.const 2))))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $next)))
  )
  (func (export "grad2x2") (param $x i32) (param $g i32) (param $dx i32) (param $batch i32) (param $outH i32) (param $outW i32)
    (param $C i32) (param $inH i32) (param $inW i32)
    (local $cs i32) (local $rs i32) (local $b i32) (local $oy i32) (local $ox i32) (local $k i32) (local $gp i32) (local $c i32)
    (local $c4 i32) (local $o i32) (local $va v128) (local $vb v128) (local $vp v128) (local $vd v128) (local $vg v128)
    (local $wa v128) (local $wb v128) (local $wp v128) (local $ninf v128) (local $zero v128)
    (local.set $cs (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $cs) (local.get $inW)))
    (local.set $c4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $ninf (f32x4.splat (f32.const -inf)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (local.set $gp (local.get $g))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bnext
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $ydone (loop $ynext
        (br_if $ydone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $xdone (loop $xnext
          (br_if $xdone (i32.ge_u (local.get $ox) (local.get $outW)))
          ;; the window's top-left pixel: image b, row 2·oy, column 2·ox
          (local.set $k (i32.add
            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (i32.shl (local.get $oy) (i32.const 1))) (local.get $rs))
            (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $cs))))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cnext
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $c4)))
            (local.set $o (i32.add (local.get $k) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $va (v128.load align=4 (i32.add (local.get $x) (local.get $o))))
            (local.set $vb (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $cs)))))
            (local.set $vp (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $rs)))))
            (local.set $vd (v128.load align=4 (i32.add (local.get $x) (i32.add (i32.add (local.get $o) (local.get $rs)) (local.get $cs)))))
            (if (v128.any_true (v128.or
                  (v128.or (v128.or (f32x4.ne (local.get $va) (local.get $va)) (f32x4.ne (local.get $vb) (local.get $vb)))
                           (v128.or (f32x4.ne (local.get $vp) (local.get $vp)) (f32x4.ne (local.get $vd) (local.get $vd))))
                  (v128.and (v128.and (f32x4.eq (local.get $va) (local.get $ninf)) (f32x4.eq (local.get $vb) (local.get $ninf)))
                            (v128.and (f32x4.eq (local.get $vp) (local.get $ninf)) (f32x4.eq (local.get $vd) (local.get $ninf))))))
              (then
                (call $scan (local.get $x) (local.get $dx) (local.get $gp) (local.get $k) (local.get $c)
                  (i32.add (local.get $c) (i32.const 4)) (local.get $cs) (local.get $rs)))
              (else
                (local.set $vg (v128.load align=4 (i32.add (local.get $gp) (i32.shl (local.get $c) (i32.const 2)))))
                (local.set $wa (v128.and (v128.and (f32x4.ge (local.get $va) (local.get $vb)) (f32x4.ge (local.get $va) (local.get $vp)))
                                         (f32x4.ge (local.get $va) (local.get $vd))))
                (local.set $wb (v128.andnot (v128.and (f32x4.ge (local.get $vb) (local.get $vp)) (f32x4.ge (local.get $vb) (local.get $vd)))
                                            (local.get $wa)))
                (local.set $wp (v128.andnot (v128.andnot (f32x4.ge (local.get $vp) (local.get $vd)) (local.get $wa)) (local.get $wb)))
                ;; 0 + g, as the scan adds into a zeroed gradient: -0 becomes +0
                (v128.store align=4 (i32.add (local.get $dx) (local.get $o))
                  (f32x4.add (local.get $zero) (v128.and (local.get $vg) (local.get $wa))))
                (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $cs)))
                  (f32x4.add (local.get $zero) (v128.and (local.get $vg) (local.get $wb))))
                (v128.store align=4 (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $rs)))
                  (f32x4.add (local.get $zero) (v128.and (local.get $vg) (local.get $wp))))
                (v128.store align=4 (i32.add (local.get $dx) (i32.add (i32.add (local.get $o) (local.get $rs)) (local.get $cs)))
                  (f32x4.add (local.get $zero)
                    (v128.andnot (local.get $vg) (v128.or (v128.or (local.get $wa) (local.get $wb)) (local.get $wp)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cnext)))
          (call $scan (local.get $x) (local.get $dx) (local.get $gp) (local.get $k) (local.get $c4) (local.get $C)
            (local.get $cs) (local.get $rs))
          (local.set $gp (i32.add (local.get $gp) (local.get $cs)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $xnext)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $ynext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bnext)))
  )
)
