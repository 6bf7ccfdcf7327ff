;; Transposed im2col for NHWC float32 (byte offsets into the imported memory): row r = (fy·fw + fx)·C + c of the
;; [fh·fw·C, P] output (P = nb·outH·outW patches, p = (b, oy, ox) row-major) holds channel c of input pixel
;; (oy·sh − top + fy, ox·sw − left + fx) of image b for every patch p, or 0 where that pixel lies outside the input.
;; Each output row is written front to back; the input is read with a stride of sw·C floats.
;; Assembled with wabt 1.0.39: wat2wasm im2col.wat
(module
  (import "env" "memory" (memory 1))
  (func (export "patchesT") (param $x i32) (param $out i32) (param $nb i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (local $fy i32) (local $fx i32) (local $c i32) (local $b i32) (local $oy i32) (local $ox i32) (local $iy i32) (local $ix i32)
    (local $cs i32) (local $step i32) (local $src i32) (local $lo i32) (local $hi i32) (local $end i32)
    (local.set $cs (i32.shl (local.get $C) (i32.const 2)))
    (local.set $step (i32.mul (local.get $sw) (local.get $cs)))
    (block $fyd (loop $fyn
      (br_if $fyd (i32.ge_u (local.get $fy) (local.get $fh)))
      (local.set $fx (i32.const 0))
      (block $fxd (loop $fxn
        (br_if $fxd (i32.ge_u (local.get $fx) (local.get $fw)))
        ;; the patches whose column ix = ox·sw − left + fx lies inside: lo ≤ ox < hi
        (local.set $lo (i32.const 0))
        (block $lod (loop $lon
          (br_if $lod (i32.ge_s (i32.add (i32.sub (i32.mul (local.get $lo) (local.get $sw)) (local.get $left)) (local.get $fx)) (i32.const 0)))
          (br_if $lod (i32.ge_u (local.get $lo) (local.get $outW)))
          (local.set $lo (i32.add (local.get $lo) (i32.const 1)))
          (br $lon)))
        (local.set $hi (local.get $lo))
        (block $hid (loop $hin
          (br_if $hid (i32.ge_u (local.get $hi) (local.get $outW)))
          (br_if $hid (i32.ge_s (i32.add (i32.sub (i32.mul (local.get $hi) (local.get $sw)) (local.get $left)) (local.get $fx)) (local.get $inW)))
          (local.set $hi (i32.add (local.get $hi) (i32.const 1)))
          (br $hin)))
        (local.set $c (i32.const 0))
        (block $cd (loop $cn
          (br_if $cd (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $b (i32.const 0))
          (block $bd (loop $bn
            (br_if $bd (i32.ge_u (local.get $b) (local.get $nb)))
            (local.set $oy (i32.const 0))
            (block $yd (loop $yn
              (br_if $yd (i32.ge_u (local.get $oy) (local.get $outH)))
              (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)) (local.get $fy)))
              (if (i32.lt_u (local.get $iy) (local.get $inH))
                (then
                  ;; zeros before lo, the pixels of lo ≤ ox < hi, zeros from hi
                  (local.set $end (i32.add (local.get $out) (i32.shl (local.get $lo) (i32.const 2))))
                  (block $z1d (loop $z1n
                    (br_if $z1d (i32.ge_u (local.get $out) (local.get $end)))
                    (f32.store (local.get $out) (f32.const 0))
                    (local.set $out (i32.add (local.get $out) (i32.const 4)))
                    (br $z1n)))
                  (local.set $src (i32.add (local.get $x)
                    (i32.add
                      (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW))
                        (i32.add (i32.sub (i32.mul (local.get $lo) (local.get $sw)) (local.get $left)) (local.get $fx))) (local.get $cs))
                      (i32.shl (local.get $c) (i32.const 2)))))
                  (local.set $end (i32.add (local.get $out) (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
                  (block $pd (loop $pn
                    (br_if $pd (i32.ge_u (local.get $out) (local.get $end)))
                    (f32.store (local.get $out) (f32.load (local.get $src)))
                    (local.set $out (i32.add (local.get $out) (i32.const 4)))
                    (local.set $src (i32.add (local.get $src) (local.get $step)))
                    (br $pn)))
                  (local.set $end (i32.add (local.get $out) (i32.shl (i32.sub (local.get $outW) (local.get $hi)) (i32.const 2))))
                  (block $z2d (loop $z2n
                    (br_if $z2d (i32.ge_u (local.get $out) (local.get $end)))
                    (f32.store (local.get $out) (f32.const 0))
                    (local.set $out (i32.add (local.get $out) (i32.const 4)))
                    (br $z2n))))
                (else
                  (local.set $end (i32.add (local.get $out) (i32.shl (local.get $outW) (i32.const 2))))
                  (block $z3d (loop $z3n
                    (br_if $z3d (i32.ge_u (local.get $out) (local.get $end)))
                    (f32.store (local.get $out) (f32.const 0))
                    (local.set $out (i32.add (local.get $out) (i32.const 4)))
                    (br $z3n)))))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $yn)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bn)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cn)))
        (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
        (br $fxn)))
      (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
      (br $fyn)))
  )
)
